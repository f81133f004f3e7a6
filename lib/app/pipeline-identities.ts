import { TerraformResource, dependable } from "cdktf";
import { Construct } from "constructs";
import { PROJECT_ROLE_REASONS } from "../gcp/resource-types";
import { IamCondition } from "../gcp/storage";
import { ArtifactRegistryRepositoryIamMember, ProjectIamMember, ServiceAccount } from "../providers";
import type { EnvironmentConfig } from "./config";
import { IDENTITIES, IdentityKind, identityEmail, identityMember } from "./identities";
import type { RoleGrants } from "./resources";

/** One grant of an identity beyond its project roles: the role, what it is on, and what needs it. */
export interface OtherGrant {
  readonly role: string;
  readonly on: string;
  readonly neededFor: string;
}

/** One pipeline identity of a bootstrap stack: its account and the project roles it holds, with why. */
export interface PipelineIdentity {
  readonly account: ServiceAccount;
  readonly email: string;
  /** Who may use it, in words. */
  readonly usableBy: string;
  /** Project-level role → the resource types (or the purpose) that need it. */
  readonly roles: RoleGrants;
  /** Grants beyond the project's roles: on the state bucket, a bucket, an account, another project. */
  readonly otherGrants: readonly OtherGrant[];
}

/** What the report holds of an identity while its grants are made. */
interface Entry {
  readonly account: ServiceAccount;
  readonly usableBy: string;
  readonly roles: Map<string, readonly string[]>;
  readonly otherGrants: OtherGrant[];
}

/**
 * The pipeline identities of a bootstrap stack, and what each may do: every grant is made through
 * this class, which records it as it makes it, so the report (`npm run bootstrap -- identities`)
 * is what the stack grants, never a list kept beside it. It adds no level to the construct tree:
 * the accounts (construct id: the identity's kind) and their grants keep their Terraform addresses.
 */
export class PipelineIdentities {
  private readonly entries = new Map<IdentityKind, Entry>();

  constructor(
    private readonly scope: Construct,
    private readonly config: EnvironmentConfig,
  ) {}

  /** Creates identity `kind`'s account, usable by `usableBy` (in words; the caller grants the use). */
  account(kind: IdentityKind, displayName: string, usableBy: string): ServiceAccount {
    const account = new ServiceAccount(this.scope, kind, {
      accountId: IDENTITIES[kind],
      displayName,
      description: `${displayName}. Usable by ${usableBy}. Made by the bootstrap stack; no keys.`,
    });
    this.entries.set(kind, { account, usableBy, roles: new Map(), otherGrants: [] });
    return account;
  }

  /** The member string that names identity `kind` (its email, known before the account exists). */
  member(kind: IdentityKind): string {
    return identityMember(this.config, kind);
  }

  /**
   * Grants identity `kind` each role of `roles` on the environment's project (construct ids
   * `project-<role>` under its account), reported with the types or purposes that need it. A role
   * `limit` returns a condition for is granted with it and reported on what the condition names;
   * any other must have a reason to hold on the whole project (`PROJECT_ROLE_REASONS`), or this throws.
   */
  grantProjectRoles(
    kind: IdentityKind,
    roles: RoleGrants,
    limit: (role: string) => { condition: IamCondition; on: string } | undefined = () => undefined,
  ): void {
    const entry = this.entry(kind);
    const limited: OtherGrant[] = [];
    for (const [role, needs] of roles) {
      const scoped = limit(role);
      if (scoped === undefined && PROJECT_ROLE_REASONS[role] === undefined) {
        throw new Error(
          `pipeline identity ${kind} would hold ${role} on project ${this.config.project}: grant it on less, or say why it cannot be (PROJECT_ROLE_REASONS in lib/gcp/resource-types.ts)`,
        );
      }
      new ProjectIamMember(entry.account, `project-${role.replace(/^roles\//, "").replace(/\./g, "-")}`, {
        project: this.config.project,
        role,
        member: this.member(kind),
        condition: scoped?.condition,
        dependsOn: [entry.account],
      });
      if (scoped === undefined) entry.roles.set(role, needs);
      else limited.push({ role, on: scoped.on, neededFor: needs.join(", ") });
    }
    entry.otherGrants.push(...limited);
  }

  /**
   * Grants identity `kind` a role in another project, or with a condition (construct id `id` under
   * its account), reported as `on` and `neededFor`.
   */
  grantInProject(
    kind: IdentityKind,
    id: string,
    grant: { project: string; role: string; condition?: IamCondition; on: string; neededFor: string },
  ): void {
    const entry = this.entry(kind);
    new ProjectIamMember(entry.account, id, {
      project: grant.project,
      role: grant.role,
      member: this.member(kind),
      condition: grant.condition,
      dependsOn: [entry.account],
    });
    this.record(kind, grant);
  }

  /**
   * Grants identity `kind` a role on one Artifact Registry repository, which must exist when the
   * grant is applied (construct id `id` under its account), reported as `on` and `neededFor`.
   */
  grantOnRepository(
    kind: IdentityKind,
    id: string,
    grant: { project: string; location: string; repository: string; role: string; on: string; neededFor: string },
  ): void {
    const entry = this.entry(kind);
    new ArtifactRegistryRepositoryIamMember(entry.account, id, {
      project: grant.project,
      location: grant.location,
      repository: grant.repository,
      role: grant.role,
      member: this.member(kind),
      dependsOn: [entry.account],
    });
    this.record(kind, grant);
  }

  /**
   * Records a grant made elsewhere: by a construct (the resource it made, which then waits for
   * the account its member string names), or by the environment's stack (no resource here).
   */
  granted(kind: IdentityKind, grant: OtherGrant, resources: readonly TerraformResource[] = []): void {
    const account = this.entry(kind).account;
    for (const resource of resources) resource.dependsOn = [...(resource.dependsOn ?? []), dependable(account)];
    this.record(kind, grant);
  }

  /** Every identity, in the order they were made, with its grants. */
  report(): Partial<Record<IdentityKind, PipelineIdentity>> {
    return Object.fromEntries(
      [...this.entries].map(([kind, e]) => [
        kind,
        {
          account: e.account,
          email: identityEmail(this.config, kind),
          usableBy: e.usableBy,
          roles: new Map(e.roles),
          otherGrants: [...e.otherGrants],
        },
      ]),
    );
  }

  private record(kind: IdentityKind, grant: OtherGrant): void {
    this.entry(kind).otherGrants.push({ role: grant.role, on: grant.on, neededFor: grant.neededFor });
  }

  private entry(kind: IdentityKind): Entry {
    const entry = this.entries.get(kind);
    if (entry === undefined) throw new Error(`pipeline identity ${kind} has no account yet`);
    return entry;
  }
}
