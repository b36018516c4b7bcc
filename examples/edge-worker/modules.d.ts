// The worker's module bindings (config.capnp): the kernels precompiled, the model as bytes.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '*.safetensors' {
  const bytes: ArrayBuffer;
  export default bytes;
}
