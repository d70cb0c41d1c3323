import { InitialSchema1732320000000 } from './1732320000000-initial-schema.js';
import { ConsumersAndRouteAuth1732400000000 } from './1732400000000-consumers-and-route-auth.js';
import { Resilience1732900000000 } from './1732900000000-resilience.js';
import { RouteEdgeSettings1733000000000 } from './1733000000000-route-edge-settings.js';

/** Every migration, oldest first. Listed explicitly so that the ESM build needs no file globbing. */
export const migrations = [InitialSchema1732320000000, ConsumersAndRouteAuth1732400000000, Resilience1732900000000, RouteEdgeSettings1733000000000];
