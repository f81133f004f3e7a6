import { API_001 } from "./api/api-001-disable-on-destroy";
import { AR_001 } from "./ar/ar-001-cleanup";
import { AR_002 } from "./ar/ar-002-public-reader";
import { AR_003 } from "./ar/ar-003-immutable-tags";
import { AR_004 } from "./ar/ar-004-vulnerability-scanning";
import { IAM_001 } from "./iam/iam-001-basic-roles";
import { IAM_002 } from "./iam/iam-002-service-account-keys";
import { GCS_001 } from "./gcs/gcs-001-private";
import { GCS_002 } from "./gcs/gcs-002-recoverable";
import { GCS_003 } from "./gcs/gcs-003-public-member";
import { IAM_003 } from "./iam/iam-003-federation-condition";
import { IAM_004 } from "./iam/iam-004-project-invoker";
import { IAM_005 } from "./iam/iam-005-authoritative-project-iam";
import { JOB_001 } from "./job/job-001-runtime-cannot-run";
import { LABEL_001 } from "./label/label-001-labels";
import { MON_001 } from "./mon/mon-001-service-alerts";
import { MON_002 } from "./mon/mon-002-alert-channels";
import { PolicyRule, frozenRule } from "../rule";
import { RUN_001 } from "./run/run-001-public-invoker";
import { RUN_002 } from "./run/run-002-invoker-iam";
import { RUN_003 } from "./run/run-003-service-account";
import { RUN_004 } from "./run/run-004-image-digest";
import { RUN_005 } from "./run/run-005-deletion-protection";
import { RUN_006 } from "./run/run-006-max-instances";
import { RUN_007 } from "./run/run-007-min-instances";
import { RUN_008 } from "./run/run-008-startup-probe";
import { RUN_009 } from "./run/run-009-ingress";
import { RUN_010 } from "./run/run-010-secret-version";
import { RUN_011 } from "./run/run-011-plain-secret";
import { RUN_012 } from "./run/run-012-secret-volume-version";
import { RUN_013 } from "./run/run-013-breakglass";
import { SCHED_001 } from "./sched/sched-001-run-caller";
import { STATE_001 } from "./state/state-001-gcs-backend";
import { STATE_002 } from "./state/state-002-state-bucket";

/**
 * Every rule of the pack, in id order. Adding a rule: a file in the folder of the service it
 * checks (`run/`, `ar/`, …), then this list.
 */
export const RULES: readonly PolicyRule[] = Object.freeze(
  [
    API_001,
    AR_001,
    AR_002,
    AR_003,
    AR_004,
    GCS_001,
    GCS_002,
    GCS_003,
    IAM_001,
    IAM_002,
    IAM_003,
    IAM_004,
    IAM_005,
    JOB_001,
    LABEL_001,
    MON_001,
    MON_002,
    RUN_001,
    RUN_002,
    RUN_003,
    RUN_004,
    RUN_005,
    RUN_006,
    RUN_007,
    RUN_008,
    RUN_009,
    RUN_010,
    RUN_011,
    RUN_012,
    RUN_013,
    SCHED_001,
    STATE_001,
    STATE_002,
  ].map(frozenRule),
);
