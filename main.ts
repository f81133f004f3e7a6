import { App, GcsBackend, TerraformStack } from "cdktf";
import { ArtifactRepository, CloudRunService, ProjectServices } from "./lib";
import { GoogleProvider } from "./lib/providers";

// A minimal example stack; per-environment stacks from validated config replace it.
const app = new App();
const stack = new TerraformStack(app, "dev");
new GcsBackend(stack, { bucket: "acme-ml-dev-tfstate", prefix: "predict/dev" });
new GoogleProvider(stack, "google", { project: "acme-ml-dev", region: "europe-west1" });
const apis = new ProjectServices(stack, "apis", {
  services: ["run.googleapis.com", "artifactregistry.googleapis.com", "iam.googleapis.com"],
});
const repo = new ArtifactRepository(stack, "images", {
  location: "europe-west1",
  repositoryId: "models",
  dependsOn: [apis],
});
const api = new CloudRunService(stack, "predict", {
  location: "europe-west1",
  name: "predict-api",
  image: repo.imageUri("predict-api", "sha256:" + "0".repeat(64)),
  dependsOn: [apis],
});
repo.grantReader(`serviceAccount:${api.serviceAccountEmail}`);
app.synth();
