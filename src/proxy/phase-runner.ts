import type { RequestTracer } from '../tracing/request-tracer.js';
import type { RequestContext, RequestPhase } from './request-context.js';

/**
 * Runs the phases in order; a phase ends the chain by throwing, or by answering the request itself
 * (`context.answered`, as a cache HIT does). With tracing on, each phase runs in a span named after
 * it (so `auth` and `rate_limit` spans appear as those phases are added).
 */
export async function runPhases(phases: readonly RequestPhase[], context: RequestContext, tracer: RequestTracer | undefined): Promise<void> {
  for (const phase of phases) {
    if (phase.appliesTo && !phase.appliesTo(context)) continue;
    if (tracer && context.span) {
      await tracer.runPhase(context, phase.name, () => phase.run(context));
    } else {
      const pending = phase.run(context);
      if (pending) await pending;
    }
    if (context.answered) return;
  }
}
