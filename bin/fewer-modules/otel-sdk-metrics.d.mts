// Types of otel-sdk-metrics.mjs: the real classes, loaded on first use.
export { DataPointType, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
