import { AdminAuth } from '../auth/admin-auth.decorator.js';

/** What a /discovery call needs: the admin key, or a consumer credential with the `discovery` (or `admin`) scope. */
export const DiscoveryAuth = (): MethodDecorator & ClassDecorator => AdminAuth('discovery');
