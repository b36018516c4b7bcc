// slimtensor/testing: fast-check arbitraries for tensors and property helpers for compressed models
// and quantizers. Needs fast-check (an optional peer dependency); the main entry never imports it.
export { arbShape, arbF32, arbInt, arbTensorData, arbTensor, F32_MAX } from './arbitraries.js';
export type { ShapeConstraints, ValueConstraints, TensorConstraints, TensorSpec } from './arbitraries.js';
export { compareModels, assertModelAgreement, assertQuantizerError } from './properties.js';
export type { Forward, ModelInput, AgreementReport, AgreementOptions, QuantizerSpec, QuantizerOptions } from './properties.js';
