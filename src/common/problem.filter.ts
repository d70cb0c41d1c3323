import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ErrorCode } from './error-codes.js';
import { GatewayError } from './gateway-error.js';
import { problem, sendProblem } from './problem.js';
import { requestIdOf } from './request-id.js';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'INVALID_REQUEST',
  401: 'AUTH_ERROR',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMIT',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Every error of the control plane leaves as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const requestId = typeof req.id === 'string' ? req.id : requestIdOf(req);
    const instance = req.originalUrl?.split('?')[0];

    if (exception instanceof GatewayError) {
      sendProblem(
        res,
        problem(exception.code, exception.detail, requestId, {
          instance,
          errors: exception.extras.errors,
          retryAfterSeconds: exception.extras.retryAfterSeconds,
          extensions: exception.extras.extensions,
        }),
        { 'x-request-id': requestId, ...exception.extras.headers },
      );
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const health = exception.getResponse() as { error?: Record<string, unknown>; details?: Record<string, unknown> };
      if (status === 503 && health && typeof health === 'object' && health.details) {
        // A failed terminus probe: say which parts failed, and keep every part's state.
        const failing = Object.keys(health.error ?? {});
        const body = problem('SERVICE_UNAVAILABLE', `not ready: ${failing.join(', ') || 'unknown'}`, requestId, { instance, extensions: { checks: health.details } });
        sendProblem(res, body, { 'x-request-id': requestId });
        return;
      }
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST');
      const body = problem(code, messageOf(exception), requestId, { instance });
      if (body.status !== status) (body as { status: number }).status = status;
      sendProblem(res, body, { 'x-request-id': requestId });
      return;
    }
    // A body-parser failure (malformed JSON, oversized body) carries its own status.
    const status = (exception as { status?: unknown; type?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500 && (exception as { expose?: boolean }).expose) {
      const code = CODE_BY_STATUS[status] ?? 'INVALID_REQUEST';
      const detail = status === 400 ? `the request body is not valid JSON: ${(exception as Error).message}` : (exception as Error).message;
      sendProblem(res, problem(code, detail, requestId, { instance }), { 'x-request-id': requestId });
      return;
    }
    this.logger.error({ err: exception, req_id: requestId }, 'unhandled error');
    sendProblem(res, problem('INTERNAL_ERROR', 'the gateway failed to handle this request', requestId, { instance }), { 'x-request-id': requestId });
  }
}
