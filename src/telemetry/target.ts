/**
 * Whether a run exports telemetry, and where: decided from the config and the standard
 * OpenTelemetry variables without loading the SDK, so a run with telemetry off never pays for it.
 */
export interface TelemetryTarget {
  /** Full OTLP/HTTP URLs; undefined: the exporter reads OTEL_EXPORTER_OTLP_* itself. */
  tracesUrl?: string
  metricsUrl?: string
  /** Text (the task, the model's answers, tool arguments) goes on spans, redacted. */
  content: boolean
}

const ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'] as const

export function telemetryTarget(config: {otlpEndpoint?: string; telemetryContent: boolean}, env: NodeJS.ProcessEnv = process.env): TelemetryTarget | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined
  if (config.otlpEndpoint) {
    const base = config.otlpEndpoint.replace(/\/+$/, '')
    return {tracesUrl: `${base}/v1/traces`, metricsUrl: `${base}/v1/metrics`, content: config.telemetryContent}
  }
  if (ENDPOINT_VARIABLES.some((name) => env[name]?.trim())) return {content: config.telemetryContent}
  return undefined
}
