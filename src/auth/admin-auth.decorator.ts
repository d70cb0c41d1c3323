import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemView } from '../common/problem.view.js';
import { AdminAuthGuard } from './admin-auth.guard.js';

export const ADMIN_SECURITY_SCHEME = 'admin-key';

/** One decorator for everything an admin endpoint needs to be authenticated and documented so. */
export function AdminAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(AdminAuthGuard),
    ApiSecurity(ADMIN_SECURITY_SCHEME),
    ApiUnauthorizedResponse({ description: 'The X-API-Key header is missing or wrong.', type: ProblemView }),
  );
}
