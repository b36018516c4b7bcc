# The conformance and speed worker: the bundle, the kernels as a wasm module binding, the mode.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "conformance", worker = .worker)],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "slimtensor.wasm", wasm = embed "slimtensor.wasm"),
  ],
  bindings = [(name = "MODE", fromEnvironment = "SLIM_MODE")],
  # Before 2025-05-05 workerd hides FinalizationRegistry: the library must load without it.
  compatibilityDate = "2025-01-01",
);
