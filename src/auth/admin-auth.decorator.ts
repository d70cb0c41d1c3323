import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOAuth2, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemView } from '../common/problem.view.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { ADMIN_SCOPE, ADMIN_SCOPE_METADATA } from './admin-scopes.js';

export const ADMIN_SECURITY_SCHEME = 'admin-key';
export const OAUTH_SECURITY_SCHEME = 'oauth2';

/**
 * One decorator for everything a control-plane endpoint needs to be authenticated and documented
 * so. It lets through the admin key (X-API-Key), or a consumer's credential (Bearer JWT or API
 * key) holding `scope` or `admin`; `admin:read` suffices for GET and HEAD.
 */
export function AdminAuth(scope: string = ADMIN_SCOPE): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ADMIN_SCOPE_METADATA, scope),
    UseGuards(AdminAuthGuard),
    ApiSecurity(ADMIN_SECURITY_SCHEME),
    ApiOAuth2(scope === ADMIN_SCOPE ? [ADMIN_SCOPE] : [scope, ADMIN_SCOPE], OAUTH_SECURITY_SCHEME),
    ApiUnauthorizedResponse({ description: 'No credential, or one that is not valid (the admin key, a token, an API key).', type: ProblemView }),
    ApiForbiddenResponse({ description: `The credential is valid but lacks the scope (${scope}).`, type: ProblemView }),
  );
}
