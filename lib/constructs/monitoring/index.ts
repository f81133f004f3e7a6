export { JobMonitoring } from "./job-monitoring";
export type { JobMonitoringProps } from "./job-monitoring";
export { MonitoringDashboard, jobWidgets, serviceWidgets } from "./dashboard";
export type { MonitoringDashboardProps, RatioSeries, Series, Widget } from "./dashboard";
export { NotificationChannels } from "./channels";
export type { NotificationChannelsProps } from "./channels";
export { MONITORING_DEFAULTS, ServiceMonitoring, sloName, sloServiceId } from "./service-monitoring";
export type { ServiceMonitoringProps, SloOptions, UptimeCheckOptions } from "./service-monitoring";
