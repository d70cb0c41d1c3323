// The generated table (bench/route-table.ts) as the compiled route table's input, for the matcher
// micro-benchmark: what RouteTableService would read from the database, without the database.
import { mergeAuthPolicy } from '../src/routing/route-auth.js';
import { newRouteColumns } from '../src/routing/route-defaults.js';
import { SERVICE_SETTING_DEFAULTS, settingsPatch } from '../src/routing/service-settings.js';
import type { ServiceDefinition } from '../src/routing/table/compile-service.js';
import { RouteTable, type RouteDefinition } from '../src/routing/table/route-table.js';
import type { GeneratedTable } from './route-table.js';

/** A service with every setting at the default the admin API stores for a body that leaves it out. */
function serviceDefinition(name: string, url: string): ServiceDefinition {
  return {
    id: name,
    name,
    ...settingsPatch(SERVICE_SETTING_DEFAULTS),
    targets: [{ id: `${name}-t`, url, weight: 100, source: 'admin', checkPath: null, checkIntervalS: null, ttlSeconds: null }],
  } as ServiceDefinition;
}

export function compileGeneratedTable(table: GeneratedTable): RouteTable {
  const createdAt = new Date(0);
  // As the admin API would store each route: its columns with the same defaults.
  const routes: RouteDefinition[] = table.routes.map((r) => ({
    id: r.name,
    name: r.name,
    serviceId: r.service,
    ...newRouteColumns(r),
    auth: mergeAuthPolicy(r.auth),
    createdAt,
  }));
  return RouteTable.compile(1, table.services.map((s) => serviceDefinition(s.name, s.url)), routes);
}
