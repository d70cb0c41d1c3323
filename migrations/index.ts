import { InitialSchema1732320000000 } from './1732320000000-initial-schema.js';
import { ConsumersAndRouteAuth1732400000000 } from './1732400000000-consumers-and-route-auth.js';
import { Resilience1732900000000 } from './1732900000000-resilience.js';
import { RouteEdgeSettings1733000000000 } from './1733000000000-route-edge-settings.js';
import { RouteResponseCache1763900000000 } from './1763900000000-route-response-cache.js';
import { AdminOperations1763900000001 } from './1763900000001-admin-operations.js';
import { ServiceOpenapiUrl1763900000002 } from './1763900000002-service-openapi-url.js';
import { RateLimits1763900000003 } from './1763900000003-rate-limits.js';

/** Every migration, oldest first. Listed explicitly so that the ESM build needs no file globbing. */
export const migrations = [
  InitialSchema1732320000000,
  ConsumersAndRouteAuth1732400000000,
  Resilience1732900000000,
  RouteEdgeSettings1733000000000,
  RouteResponseCache1763900000000,
  AdminOperations1763900000001,
  ServiceOpenapiUrl1763900000002,
  RateLimits1763900000003,
];
