import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { GATEWAY_VERSION } from '../common/version.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { RequestTracer } from './request-tracer.js';

const SHUTDOWN_FLUSH_MS = 5_000;

/**
 * OpenTelemetry for the data plane. With OTEL_EXPORTER_OTLP_ENDPOINT set, spans are batched and
 * sent as OTLP/HTTP JSON to `{endpoint}/v1/traces`; without it there is no tracer at all, so the data
 * plane pays one `undefined` check per request and nothing is recorded or exported.
 */
@Injectable()
export class TracingService implements OnApplicationShutdown {
  private readonly logger = new Logger('Tracing');
  private readonly provider: TracerProvider | undefined;
  /** undefined when tracing is off. */
  readonly tracer: RequestTracer | undefined;

  constructor(config: GatewayConfig) {
    if (!config.otlpEndpoint) return;
    // Export failures would otherwise vanish: the SDK reports them through its diag logger only.
    diag.setLogger(
      {
        error: (message, ...args) => this.logger.error(`${message} ${args.map(String).join(' ')}`.trim()),
        warn: (message, ...args) => this.logger.warn(`${message} ${args.map(String).join(' ')}`.trim()),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.otelServiceName, [ATTR_SERVICE_VERSION]: GATEWAY_VERSION }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.traceSampleRatio) }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` }) })],
    });
    this.tracer = new RequestTracer(this.provider.getTracer('api-gateway', GATEWAY_VERSION));
    this.logger.log({ endpoint: `${config.otlpEndpoint}/v1/traces`, sample_ratio: config.traceSampleRatio }, 'exporting traces over OTLP/HTTP');
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** Sends the spans still batched, within a bound, so that a stop loses none of them. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.provider) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.provider.shutdown().catch((error: unknown) => this.logger.warn(`could not flush the last spans: ${(error as Error).message}`)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS))),
    ]);
    clearTimeout(timer);
  }
}
