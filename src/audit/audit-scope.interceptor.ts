import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { controlPlaneStorage } from '../common/control-plane-storage.js';
import { withAuditScope } from './audit-context.js';

/**
 * Puts the control-plane request in scope around its handler, so a change it makes is audited with
 * its actor and request id without passing them through every service. (An Express middleware
 * would lose the scope across the body parser's stream events.) The scope is held until the
 * handler has finished, even when its client has gone (see control-plane-storage.ts).
 */
@Injectable()
export class AuditScopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<IncomingMessage>();
    const res = http.getResponse<ServerResponse>();
    return new Observable((subscriber) => {
      const release = controlPlaneStorage.hold();
      const subscription = withAuditScope(req, res, () => next.handle().subscribe(subscriber));
      return () => {
        subscription.unsubscribe();
        release();
      };
    });
  }
}
