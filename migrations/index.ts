import { InitialSchema1732320000000 } from './1732320000000-initial-schema.js';
import { RouteEdgeSettings1732406400000 } from './1732406400000-route-edge-settings.js';

/** Every migration, oldest first. Listed explicitly so that the ESM build needs no file globbing. */
export const migrations = [InitialSchema1732320000000, RouteEdgeSettings1732406400000];
