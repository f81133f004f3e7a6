/*
 * What a Cloud Run service and a Cloud Run job share: the props (documented once), their checks,
 * how they are written, and the identity they run as.
 */
export * from "./props";
export * from "./validate";
export * from "./render";
export * from "./identity";
