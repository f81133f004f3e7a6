/**
 * The offline `terraform validate` (scripts/terraform-validate.ts). First against the google
 * provider's schema file: a small valid stack (__tests__/fixtures/valid-stack.tf.json) holds, what
 * Terraform accepts in it passes, and each edit Terraform refuses is found. Then its mechanics on a
 * hand-made schema, for shapes the project's types lack. Then the schema file: current, and cut
 * as the script cuts it. The project's own stacks are checked where the tests synthesize them
 * (CONTRIBUTING.md, "Tests", says where).
 */
import { Construct } from "constructs";
import * as fs from "fs";
import * as path from "path";
import { StorageBucket } from "../../lib/providers";
import { cutSchema, goStringConstant, pinnedVersion, pruneBlock, usedTypes } from "../../scripts/provider-schema";
import {
  ProviderSchema,
  interpolations,
  loadSchema,
  stringKind,
  validateTerraform,
} from "../../scripts/terraform-validate";
import { Json, schemaProblems, synth } from "../helpers";

/** Problems grouped by where they are, in the order found there. */
function byAddressThenOrder(a: string, b: string): number {
  return a.split(": ")[0].localeCompare(b.split(": ")[0]) || a.localeCompare(b);
}

/** The problems of `config` after `edit`, sorted. */
function problemsAfter(config: () => Json, edit: (tf: Json) => void, schema?: ProviderSchema): string[] {
  const tf = config();
  edit(tf);
  return validateTerraform(tf, schema).sort(byAddressThenOrder);
}

const FIXTURE = path.join(__dirname, "..", "fixtures", "valid-stack.tf.json");
const fixture = (): Json => JSON.parse(fs.readFileSync(FIXTURE, "utf8"));

const S = "google_cloud_run_v2_service.predict";
/** The fixture's service, its template and its container. */
const svc = (tf: Json) => tf.resource.google_cloud_run_v2_service.predict;
const container = (tf: Json) => svc(tf).template.containers[0];

describe("the offline terraform validate, against the google provider's schema", () => {
  test("the fixture stack holds: a service, its account, its invoker, an API, a data source, an output", () => {
    expect(validateTerraform(fixture())).toEqual([]);
    expect(Object.keys(fixture().resource)).toHaveLength(4);
  });

  test("what Terraform accepts passes: null, expressions of any type, converted literals, dynamic blocks", () => {
    const accepted = problemsAfter(fixture, (tf) => {
      Object.assign(svc(tf), {
        // null is unset: for an optional argument, a computed-only one and a block.
        ingress: null,
        uri: null,
        binary_authorization: null,
        traffic: [],
        // One interpolation is unknown, of whatever type is wanted.
        deletion_protection: "${data.google_project.project.number}",
        annotations: "${data.google_project.project.labels}",
      });
      Object.assign(svc(tf).template.scaling, { max_instance_count: "10", min_instance_count: "${1 + 1}" });
      Object.assign(container(tf), {
        args: "${data.google_project.project.tags}",
        command: ["serve", 8080, true, "--project=${data.google_project.project.number}"],
      });
      container(tf).resources.limits.cpu = 1;
      container(tf).resources.cpu_idle = "false";
      container(tf).dynamic = {
        env: {
          for_each: "${data.google_project.project.labels}",
          content: { name: "${env.key}", value: "${env.value}" },
        },
      };
      delete container(tf).env;
    });
    expect(accepted).toEqual([]);
  });

  // [what, the edit of the fixture, every problem found]
  const BAD: [string, (tf: Json) => void, string[]][] = [
    [
      "an unknown argument",
      (tf) => (svc(tf).ingres = "INGRESS_TRAFFIC_ALL"),
      [`${S}.ingres: unsupported argument or block: none of that name here (did you mean "ingress"?)`],
    ],
    [
      "an unknown block inside a block",
      (tf) => (svc(tf).template.container = [{ image: "nginx" }]),
      [`${S}.template.container: unsupported argument or block: none of that name here (did you mean "containers"?)`],
    ],
    [
      "a computed-only argument set, to a literal or to an expression",
      (tf) => Object.assign(svc(tf), { uri: "https://predict.run.app", etag: "${google_service_account.runtime.id}" }),
      [
        `${S}.etag: computed-only: the provider sets it, so it cannot be configured`,
        `${S}.uri: computed-only: the provider sets it, so it cannot be configured`,
      ],
    ],
    [
      "a required argument missing, at the top and in a block, or null",
      (tf) => {
        delete svc(tf).location;
        delete container(tf).image;
        tf.resource.google_service_account.runtime.account_id = null;
      },
      [
        `${S}.location: required argument missing`,
        `${S}.template.containers[0].image: required argument missing`,
        "google_service_account.runtime.account_id: required argument is null",
      ],
    ],
    [
      "wrong types: a number, a bool, a list, a map",
      (tf) => {
        svc(tf).deletion_protection = "maybe";
        svc(tf).template.scaling.max_instance_count = "ten";
        svc(tf).template.labels = ["team"];
        container(tf).args = "serve";
      },
      [
        `${S}.deletion_protection: a bool is required, got a string ("maybe")`,
        `${S}.template.containers[0].args: a list of string is required, got a string ("serve")`,
        `${S}.template.labels: a map of string is required, got a list`,
        `${S}.template.scaling.max_instance_count: a number is required, got a string ("ten")`,
      ],
    ],
    [
      "a template, a string, where a list is wanted",
      (tf) => (container(tf).args = ["--model", "${data.google_project.project.number}"].join("=")),
      [
        `${S}.template.containers[0].args: a list of string is required, got a string ("--model=\${data.google_project.project.number}")`,
      ],
    ],
    [
      "too many blocks: two templates, two scalings, two timeouts (a single block)",
      (tf) => {
        svc(tf).template.scaling = [{ max_instance_count: 1 }, { max_instance_count: 2 }];
        svc(tf).timeouts = [{ create: "5m" }, { create: "10m" }];
        svc(tf).template = [svc(tf).template, { containers: { image: "nginx" } }];
      },
      [
        `${S}.template: at most 1 template block is allowed, found 2`,
        `${S}.template[0].scaling: at most 1 scaling block is allowed, found 2`,
        `${S}.timeouts: at most 1 timeouts block is allowed, found 2`,
      ],
    ],
    [
      "too few blocks: the template missing",
      (tf) => delete svc(tf).template,
      [`${S}.template: at least 1 template block is required, found 0`],
    ],
    [
      "a block written as a value",
      (tf) => {
        svc(tf).template.scaling = "${data.google_project.project.labels}";
        container(tf).ports = 8080;
      },
      [
        `${S}.template.containers[0].ports: a block (a JSON object or an array of objects) is required, got a number (8080)`,
        `${S}.template.scaling: a block (a JSON object or an array of objects) is required, got a string ("\${data.google_project.project.labels}"); a block made from an expression is a dynamic block`,
      ],
    ],
    [
      "a dynamic block of a type the block lacks, and one whose content has an unknown argument",
      (tf) => {
        svc(tf).template.dynamic = { volume: { for_each: "${[]}", content: { name: "models" } } };
        container(tf).dynamic = { env: { for_each: "${{}}", content: { nam: "${env.key}" } } };
      },
      [
        `${S}.template.containers[0].dynamic.env.content.name: required argument missing`,
        `${S}.template.containers[0].dynamic.env.content.nam: unsupported argument or block: none of that name here (did you mean "name"?)`,
        `${S}.template.dynamic.volume: unsupported dynamic block type: none of that name here (did you mean "volumes"?)`,
      ],
    ],
    [
      "meta-arguments: depends_on naming nothing declared, an unknown lifecycle argument",
      (tf) => {
        svc(tf).depends_on = ["google_project_service.iam"];
        svc(tf).lifecycle = { prevent_destroy: true, ignore_changes: ["client", "templat"], prevent_destory: true };
      },
      [
        `${S}.depends_on[0]: reference to undeclared resource google_project_service.iam`,
        `${S}.lifecycle.ignore_changes[1]: google_cloud_run_v2_service has no argument or block "templat"`,
        `${S}.lifecycle.prevent_destory: unsupported argument or block: none of that name here (did you mean "prevent_destroy"?)`,
      ],
    ],
    [
      "references to what is not declared, or to an attribute the type lacks",
      (tf) => {
        container(tf).env[0].value = "${google_storage_bucket.models.url}";
        tf.output.url.value = "${google_cloud_run_v2_service.predict.url}";
      },
      [
        `${S}.template.containers[0].env[0].value: reference to undeclared resource google_storage_bucket.models`,
        `output.url.value: google_cloud_run_v2_service.predict has no attribute "url"`,
      ],
    ],
    [
      "a type the schema file lacks, another provider's type, and a provider version other than the schema's",
      (tf) => {
        tf.resource.google_pubsub_topic = { events: { name: "events" } };
        tf.resource.random_id = { suffix: { byte_length: 4 } };
        tf.terraform.required_providers.google.version = "7.0.0";
      },
      [
        "google_pubsub_topic.events: no schema for resource type google_pubsub_topic: the schema file holds only the types this project uses (npm run provider-schema regenerates it)",
        "random_id.suffix: not checked: the schema is the google provider's, this is random's",
        "terraform.required_providers.google.version: requires 7.0.0, but the schema is of 6.50.0 (npm run provider-schema regenerates it)",
      ],
    ],
  ];

  test.each(BAD)("%s", (_what, edit, expected) => {
    expect(problemsAfter(fixture, edit)).toEqual([...expected].sort(byAddressThenOrder));
  });

  test("the unit tests' synth refuses a stack that does not hold, and schemaProblems names it", () => {
    const bucket = (s: Construct) => new StorageBucket(s, "models", { name: "acme-ml-dev-models", location: "EU" });
    expect(synth((s) => void bucket(s)).resource.google_storage_bucket).toBeDefined();
    expect(() => synth((s) => bucket(s).addOverride("versioning.enabeld", true))).toThrow(
      'google_storage_bucket.models.versioning.enabeld: unsupported argument or block: none of that name here (did you mean "enabled"?)',
    );
    const bad = fixture();
    svc(bad).uri = "https://predict.run.app";
    expect(schemaProblems({ good: fixture(), bad })).toEqual({
      bad: [`${S}.uri: computed-only: the provider sets it, so it cannot be configured`],
    });
  });
});

/**
 * A hand-made provider: one resource type with shapes the project's types lack (object types,
 * nested attributes, a required list block), and a data source.
 */
const SCHEMA: ProviderSchema = {
  name: "google",
  address: "registry.terraform.io/hashicorp/google",
  version: "6.50.0",
  source: "hand-made",
  resources: {
    google_thing: {
      attributes: {
        name: { type: "string", required: true },
        port: { type: "number", optional: true },
        enabled: { type: "bool", optional: true },
        tags: { type: ["list", "string"], optional: true },
        labels: { type: ["map", "string"], optional: true },
        pair: { type: ["tuple", ["string", "number"]], optional: true },
        settings: { type: ["object", { mode: "string", size: "number" }, ["size"]], optional: true },
        rules: {
          nested_type: {
            nesting_mode: "list",
            attributes: { action: { type: "string", required: true } },
            max_items: 2,
          },
          optional: true,
        },
        uri: { type: "string", computed: true },
      },
      block_types: {
        template: {
          nesting_mode: "list",
          min_items: 1,
          max_items: 1,
          block: {
            attributes: { image: { type: "string", required: true } },
            block_types: {
              env: {
                nesting_mode: "list",
                block: {
                  attributes: { name: { type: "string", required: true }, value: { type: "string", optional: true } },
                },
              },
            },
          },
        },
        rule: {
          nesting_mode: "map",
          block: { attributes: { priority: { type: "number", required: true } } },
        },
      },
    },
  },
  data_sources: {
    google_project: {
      attributes: { project_id: { type: "string", optional: true }, number: { type: "string", computed: true } },
    },
  },
};

/** A valid configuration of the hand-made provider in cdktf's shapes: blocks as objects and arrays, expressions, meta-arguments. */
function valid(): Json {
  return {
    "//": { metadata: { stackName: "test" } },
    terraform: {
      required_providers: { google: { source: "google", version: "6.50.0" } },
      backend: { gcs: { bucket: "acme-tfstate", prefix: "test" } },
    },
    provider: { google: [{ project: "acme" }, { alias: "west", region: "europe-west1" }] },
    variable: { image: { type: "string", default: "nginx" } },
    locals: { port: 8080 },
    data: { google_project: { project: { project_id: "acme" } } },
    resource: {
      google_thing: {
        a: {
          "//": { metadata: { path: "test/a" } },
          name: "a",
          port: "${local.port}",
          enabled: "true",
          tags: ["x", "${data.google_project.project.number}"],
          labels: { team: "ml", number: 1 },
          pair: ["x", 1],
          settings: { mode: "fast" },
          rules: [{ action: "allow" }],
          template: { image: "${var.image}", env: [{ name: "A", value: 1 }, { name: "B" }] },
          rule: { first: { priority: 1 }, second: { priority: "2" } },
          provider: "google.west",
          depends_on: ["data.google_project.project"],
          lifecycle: { prevent_destroy: true, ignore_changes: ["template[0].image", "labels"] },
        },
        b: {
          count: 2,
          name: "${google_thing.a.uri}-${count.index}",
          port: 8080,
          template: [
            { image: "nginx", dynamic: { env: { for_each: "${var.image}", content: { name: "${env.key}" } } } },
          ],
        },
        c: {
          for_each: '${toset(["x"])}',
          name: "${google_thing.b[0].name}-${each.key}",
          dynamic: { template: { for_each: "${[1]}", content: { image: "x" } } },
        },
      },
    },
    output: { uri: { value: '${google_thing.a.uri} ${google_thing.c["x"].uri}', sensitive: false } },
  };
}

const A = "google_thing.a";

describe("the offline terraform validate's mechanics, on a hand-made schema", () => {
  test("a valid configuration, in every shape cdktf writes, has no problem", () => {
    expect(validateTerraform(valid(), SCHEMA)).toEqual([]);
  });

  // [what, the edit, every problem found]
  const CASES: [string, (tf: Json) => void, string[]][] = [
    [
      "wrong types inside collections, tuples and objects",
      (tf) =>
        Object.assign(tf.resource.google_thing.a, {
          tags: ["x", { y: 1 }],
          labels: { team: ["ml"] },
          pair: ["x", "y"],
          settings: { size: 1 },
        }),
      [
        `${A}.labels["team"]: a string is required, got a list`,
        `${A}.pair[1]: a number is required, got a string ("y")`,
        `${A}.settings.mode: required attribute missing`,
        `${A}.tags[1]: a string is required, got an object`,
      ],
    ],
    [
      "nested attributes: too many, and one missing its required attribute",
      (tf) => (tf.resource.google_thing.a.rules = [{ action: "allow" }, {}, { action: "deny" }]),
      [`${A}.rules[1].action: required argument missing`, `${A}.rules: at most 2 element(s) allowed, found 3`],
    ],
    [
      "map blocks: each labelled block checked",
      (tf) => (tf.resource.google_thing.a.rule = { first: { priority: "high" }, second: {} }),
      [
        `${A}.rule["first"].priority: a number is required, got a string ("high")`,
        `${A}.rule["second"].priority: required argument missing`,
      ],
    ],
    [
      "count and for_each: not both, and of usable shapes",
      (tf) => Object.assign(tf.resource.google_thing.a, { count: "two", for_each: ["x"] }),
      [
        `${A}.count: a whole number is required, got a string ("two")`,
        `${A}.count: count and for_each may not both be set`,
        `${A}.for_each: a map or a set of strings (an expression) is required, got a list`,
        // With count, every reference to it must name an instance.
        "google_thing.b.name: google_thing.a has count or for_each: a reference names an instance (google_thing.a[...])",
        "output.uri.value: google_thing.a has count or for_each: a reference names an instance (google_thing.a[...])",
      ],
    ],
    [
      "provider and lifecycle: an undeclared alias, flags that are not literal",
      (tf) => {
        const a = tf.resource.google_thing.a;
        a.provider = "google.east";
        a.lifecycle = { prevent_destroy: "${var.image}", create_before_destroy: "yes" };
        tf.data.google_project.project.lifecycle = { prevent_destroy: true };
      },
      [
        `${A}.lifecycle.create_before_destroy: a literal bool is required, got a string ("yes")`,
        `${A}.lifecycle.prevent_destroy: a literal bool is required, got a string ("\${var.image}")`,
        `${A}.provider: no provider configuration google.east is declared`,
        "data.google_project.project.lifecycle.prevent_destroy: unsupported argument or block: none of that name here",
      ],
    ],
    [
      "references: undeclared variables, locals and data sources; instance keys where there are none",
      (tf) => {
        const a = tf.resource.google_thing.a;
        a.port = "${google_thing.b.port}";
        a.tags = ["${var.nope}", "${local.nope}", "${data.google_project.other.number}"];
        a.template.image = '${lookup({a = "${google_thing.z.name}"}, "a")}';
        tf.output.uri.value = "%{ if google_thing.a[0].enabled }on%{ endif }";
      },
      [
        `${A}.port: google_thing.b has count or for_each: a reference names an instance (google_thing.b[...])`,
        `${A}.tags[0]: reference to undeclared variable var.nope`,
        `${A}.tags[1]: reference to undeclared local value local.nope`,
        `${A}.tags[2]: reference to undeclared data source data.google_project.other`,
        "output.uri.value: google_thing.a has neither count nor for_each: a reference takes no instance key",
      ],
    ],
    [
      "the top level, outputs and providers",
      (tf) => {
        tf.resources = {};
        tf.output.uri = { description: "no value" };
        tf.provider.google.push({ alias: "west" });
        tf.terraform.backend.local = { path: "x" };
      },
      [
        "output.uri.value: required argument missing",
        "provider.google[2]: duplicate provider configuration google.west",
        "resources: not a block type of Terraform's JSON syntax",
        "terraform.backend: exactly one backend type is required",
      ],
    ],
  ];

  test.each(CASES)("%s", (_what, edit, expected) => {
    expect(problemsAfter(valid, edit, SCHEMA)).toEqual([...expected].sort(byAddressThenOrder));
  });

  test("provider blocks are checked against the provider's own schema when the schema has it", () => {
    const withProvider: ProviderSchema = {
      ...SCHEMA,
      provider: {
        attributes: { project: { type: "string", optional: true }, region: { type: "string", optional: true } },
      },
    };
    const typo = (tf: Json) => (tf.provider.google[0].projct = "x");
    expect(problemsAfter(valid, typo, withProvider)).toEqual([
      'provider.google[0].projct: unsupported argument or block: none of that name here (did you mean "project"?)',
    ]);
    expect(problemsAfter(valid, typo, SCHEMA)).toEqual([]);
  });

  test("strings: a literal, one interpolation, or a template; escapes are literal", () => {
    const kinds = [
      "plain",
      "$${a.b}",
      "%%{ if }",
      "${a.b}",
      "${ {a = 1} }",
      "x-${a}",
      "${a}${b}",
      "%{ if a }x%{ endif }",
    ];
    expect(kinds.map(stringKind)).toEqual([
      "literal",
      "literal",
      "literal",
      "expression",
      "expression",
      "template",
      "template",
      "template",
    ]);
    expect(interpolations('${a.b}-${f({x = "${c.d}"})}-$${e.f}')).toEqual(["a.b", 'f({x = ""})']);
  });
});

describe("the schema file, as npm run provider-schema writes it", () => {
  const schema = loadSchema();

  test("is of the google provider version @cdktf/provider-google pins", () => {
    expect(schema.version).toBe(pinnedVersion());
  });

  test("has exactly the types this project uses (lib/providers.ts, RESOURCE_TYPES): regenerate it when they change", () => {
    const used = usedTypes();
    expect(used.resources).toContain("google_cloud_run_v2_service");
    expect({ resources: Object.keys(schema.resources), dataSources: Object.keys(schema.data_sources) }).toEqual(used);
  });

  test("is cut from the provider's schema as the script cuts it: Go constants read, descriptions dropped", () => {
    const go =
      'package resource\n\nconst googleThing = `{"block": {"attributes": {"a": {"type": "string", "description": "` + "`" + `x` + "`" + `", "optional": true}}}}`\n';
    const raw = JSON.parse(goStringConstant(go));
    expect(raw.block.attributes.a.description).toBe("`x`");
    expect(pruneBlock(raw.block)).toEqual({ attributes: { a: { type: "string", optional: true } } });
    const cut = cutSchema(
      { resource_schemas: { google_thing: raw }, data_source_schemas: {} },
      { resources: ["google_thing"], dataSources: [] },
      { version: "1.0.0", source: "test" },
    );
    expect(cut.resources).toEqual({ google_thing: { attributes: { a: { type: "string", optional: true } } } });
    expect(() => cutSchema({}, { resources: ["google_thing"], dataSources: ["google_project"] }, cut)).toThrow(
      "the source has no schema for google_thing, data.google_project",
    );
  });
});
