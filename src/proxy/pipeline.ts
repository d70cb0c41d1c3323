/**
 * The data plane's pipeline, in one place and in this order (as Kong runs its phases):
 *
 *   1. request id, the request span        DataPlane.handle (tracing/request-tracer.ts)
 *   2. route resolution (radix tree)       DataPlane.run → RouteTable.match
 *   3. the REQUEST_PHASES, in list order (phase-runner.ts; one span each, when a phase applies):
 *        cors        first: a preflight carries no credentials, so it is answered before auth could
 *                    refuse it; and CORS headers go on the gateway's own errors (401, 429) too
 *        auth        AuthPhase: the route's credential and scopes; the identity goes on the context
 *        rate_limit  RateLimitPhase: every scope that applies (global, ip, consumer, api_key, route,
 *                    route × consumer) in one atomic store call (one Redis round trip); RateLimit-*
 *                    headers; 429 naming the scope. A refused credential costs its IP one request
 *                    (onEarlierRefusal), so that guessing keys runs into the IP limit
 *        cache       ResponseCachePhase, last: only a request every earlier phase let through may be
 *                    answered from the cache; a HIT sets context.answered and the request ends there
 *      The same phases run on a WebSocket handshake (websocket-proxy.ts) before the upgrade; the
 *      cache leaves handshakes alone.
 *   4. the proxy step                      UpstreamForwarder.forward: circuit breaker → bulkhead →
 *                                          a healthy target from the service's balancer →
 *                                          upstream call with timeouts (a CLIENT span per attempt)
 *                                          → retries with backoff (a cache MISS tees the response
 *                                          body into the cache)
 *   5. errors as problem+json              DataPlane.fail
 *   6. on close: metrics, access line      DataPlane.finish (metrics/request-metrics.ts)
 *
 * Why not Nest guards and interceptors: a Nest + Express catch-all controller with one guard and one
 * interceptor serves about 0.10x of the upstream's direct rate (bench/RESULTS.md), below the
 * 0.15x target; the cost is Express's router and Nest's per-request execution context and RxJS
 * pipeline, paid before any gateway work. The data plane therefore takes the request straight from
 * node:http (see lifecycle/traffic-dispatcher.ts), while each step stays a Nest provider with
 * injected, pre-validated settings, and the control plane keeps Nest's full pipeline.
 */
export const REQUEST_PHASES = Symbol('REQUEST_PHASES');
