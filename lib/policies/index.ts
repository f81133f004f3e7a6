export { PolicyError, PolicyPack, acknowledge, formatAcknowledged, formatReport, hasErrors } from "./pack";
export type { AcknowledgementRecord, Finding, PolicyPackProps, PolicyReport, Unlocated } from "./pack";
export { RULES } from "./rules";
export { STAGES } from "./rule";
export type { PolicyRule, RuleField, RuleResult, Severity, Stage } from "./rule";
export type { ResourceView, StackView } from "./view";
