export { PolicyPack, acknowledge, formatReport, hasErrors } from "./pack";
export type { AcknowledgementRecord, Finding, PolicyPackProps, PolicyReport } from "./pack";
export { RULES } from "./rules";
export type { PolicyRule, RuleResult, Severity, Tier } from "./rule";
export type { ResourceView, StackView } from "./terraform-json";
