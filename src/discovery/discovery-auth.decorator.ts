import { AdminAuth } from '../auth/admin-auth.decorator.js';

/**
 * What a /discovery call needs: the admin key for now. Kept in this one place so that the
 * `discovery` scope of the auth module can take its place without touching the controller.
 */
export const DiscoveryAuth = (): MethodDecorator & ClassDecorator => AdminAuth();
