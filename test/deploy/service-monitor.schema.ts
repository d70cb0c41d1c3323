/**
 * The monitoring.coreos.com/v1 ServiceMonitor as a JSON schema, for Ajv: kubernetes-models has no
 * types for CRDs. Transcribed from the Prometheus Operator's CRD (spec and endpoint fields, the
 * ones a gateway would use plus their siblings), with additionalProperties false at every level
 * so that a misspelt field fails like it would with `kubectl apply --validate=strict`.
 */
const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: { key: { type: 'string' }, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
} as const;

const duration = { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' } as const;

const relabelConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    action: { type: 'string' },
    modulus: { type: 'integer' },
    regex: { type: 'string' },
    replacement: { type: 'string' },
    separator: { type: 'string' },
    sourceLabels: { type: 'array', items: { type: 'string' } },
    targetLabel: { type: 'string' },
  },
} as const;

const endpoint = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'string' },
    targetPort: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
    path: { type: 'string' },
    scheme: { enum: ['http', 'https', 'HTTP', 'HTTPS'] },
    params: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    interval: duration,
    scrapeTimeout: duration,
    honorLabels: { type: 'boolean' },
    honorTimestamps: { type: 'boolean' },
    trackTimestampsStaleness: { type: 'boolean' },
    enableHttp2: { type: 'boolean' },
    followRedirects: { type: 'boolean' },
    filterRunning: { type: 'boolean' },
    bearerTokenSecret: { type: 'object' },
    authorization: { type: 'object' },
    basicAuth: { type: 'object' },
    oauth2: { type: 'object' },
    tlsConfig: { type: 'object' },
    proxyUrl: { type: 'string' },
    relabelings: { type: 'array', items: relabelConfig },
    metricRelabelings: { type: 'array', items: relabelConfig },
  },
} as const;

export const SERVICE_MONITOR_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'ServiceMonitor' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['selector'],
      properties: {
        selector: labelSelector,
        namespaceSelector: {
          type: 'object',
          additionalProperties: false,
          properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: { type: 'string' } } },
        },
        endpoints: { type: 'array', minItems: 1, items: endpoint },
        jobLabel: { type: 'string' },
        targetLabels: { type: 'array', items: { type: 'string' } },
        podTargetLabels: { type: 'array', items: { type: 'string' } },
        sampleLimit: { type: 'integer', minimum: 0 },
        targetLimit: { type: 'integer', minimum: 0 },
        labelLimit: { type: 'integer', minimum: 0 },
        labelNameLengthLimit: { type: 'integer', minimum: 0 },
        labelValueLengthLimit: { type: 'integer', minimum: 0 },
        keepDroppedTargets: { type: 'integer', minimum: 0 },
        attachMetadata: { type: 'object', additionalProperties: false, properties: { node: { type: 'boolean' } } },
        scrapeProtocols: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;
