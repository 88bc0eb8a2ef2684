import {describe, expect, it} from 'vitest'

import {telemetryTarget} from '../../src/telemetry/target.js'

const off = {telemetryContent: false}

describe('telemetryTarget', () => {
  it('is off unless the config or a standard OTLP variable names a collector, and OTEL_SDK_DISABLED wins', () => {
    expect(telemetryTarget(off, {})).toBeUndefined()
    expect(telemetryTarget(off, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318'})).toEqual({content: false})
    expect(telemetryTarget(off, {OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces'})).toEqual({content: false})
    expect(telemetryTarget({otlpEndpoint: 'http://collector:4318/', telemetryContent: true}, {})).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      metricsUrl: 'http://collector:4318/v1/metrics',
      content: true,
    })
    expect(telemetryTarget({otlpEndpoint: 'http://collector:4318', telemetryContent: false}, {OTEL_SDK_DISABLED: 'true'})).toBeUndefined()
  })
})
