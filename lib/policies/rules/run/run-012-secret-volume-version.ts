import { isPinnedSecretVersion } from "../../../gcp/secret-manager";
import { ALL_STAGES, PolicyRule, compliant, nonCompliant, notApplicable, unknown } from "../../rule";
import { CLOUD_RUN_WORKLOADS, get, isExpression, list, volumesOf } from "../../view";

/**
 * A secret volume's secret and files, as either API writes them: v2 `secret: { secret, items:
 * [{ path, version }] }`, v1 `secret: { secret_name, items: [{ key, path }] }` (the key is the
 * version). The names are read only when a result names them (evaluate.ts watches what a rule reads).
 */
function secretOf(resource: string, volume: Record<string, unknown>) {
  const secret = get(volume, "secret");
  if (secret === undefined || secret === null) return undefined;
  const v1 = resource === "google_cloud_run_service";
  return {
    get name() {
      return String(get(volume, "name"));
    },
    get secret() {
      return String(get(secret, v1 ? "secret_name" : "secret"));
    },
    items: list(get(secret, "items")).map((item) => ({
      get version(): unknown {
        return v1 ? item.key : item.version;
      },
    })),
  };
}

export const RUN_012: PolicyRule = {
  id: "RUN-012",
  what: "Secret volumes pin the version of each file they mount (not latest), and list their files",
  why: "A file of latest, or a secret volume that lists no file (which mounts latest), takes a new secret version at the next instance that starts, without a deploy or a review, and a rollback does not bring the old value back.",
  fix: "Mount pinned versions (volumes: [{ kind: 'secret', name, mountPath, secret, version: '3' }], or files: [{ path, version }] for several) and roll a new version out with a deploy.",
  severity: "error",
  stages: ALL_STAGES,
  field: { path: "volumes", of: "workload" },
  resourceTypes: CLOUD_RUN_WORKLOADS,
  check: (r) => {
    const secrets = volumesOf(r)
      .map((v) => secretOf(r.type, v))
      .filter((s) => s !== undefined);
    if (secrets.length === 0) return notApplicable;
    const found: string[] = [];
    const open: string[] = [];
    for (const s of secrets) {
      if (s.items.length === 0) {
        found.push(`volume ${s.name} mounts ${s.secret} without items, so its latest version`);
        continue;
      }
      for (const item of s.items) {
        const version = item.version;
        if (version === undefined || version === null || version === "") {
          found.push(`volume ${s.name} mounts ${s.secret} with no version, so its latest`);
        } else if (isExpression(version)) {
          open.push(`volume ${s.name} mounts ${s.secret} version ${version}`);
        } else if (!isPinnedSecretVersion(String(version))) {
          found.push(`volume ${s.name} mounts ${s.secret} version ${JSON.stringify(String(version))}`);
        }
      }
    }
    if (found.length > 0) return nonCompliant(found.join("; "));
    return open.length > 0 ? unknown(`${open.join("; ")}, known only at apply`) : compliant;
  },
};
