# The edge worker: the bundle, the int8 model as a data module and the kernels as a wasm module
# binding. Serve it: workerd serve config.capnp --socket-addr http=127.0.0.1:8787
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "classify", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "classify")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "slimtensor.wasm", wasm = embed "slimtensor.wasm"),
    (name = "model.int8.safetensors", data = embed "model.int8.safetensors"),
  ],
  compatibilityDate = "2025-05-05",
);
