// slimtensor: the universal entry point (no node: imports, no top-level import.meta.url).
export { init, isInitialized } from './backend/binding.js';
export type { InitOptions } from './backend/binding.js';
export { SlimError } from './errors.js';
export type { ErrorCode } from './errors.js';

export { Tensor, memoryStats } from './tensor/tensor.js';
export type { MemoryStats, NestedArray } from './tensor/tensor.js';
export { DTYPES, byteLength } from './tensor/dtype.js';
export type { DType, DTypeTraits, TypedArrayFor } from './tensor/dtype.js';
export type { Shape } from './tensor/shape.js';
export { tidy, keep } from './tensor/scope.js';
export { tensor, zeros, ones, full, arange } from './tensor/create.js';
export { Rng, seed, uniform, normal } from './tensor/random.js';
export type { RandomOptions } from './tensor/random.js';

export {
  add, sub, mul, div, maximum, minimum,
  neg, abs, sqrt, exp, log, tanh, sigmoid, relu, gelu, erf, clamp, affine,
  equal, notEqual, less, lessEqual, greater, greaterEqual, where,
} from './ops/elementwise.js';
export type { Operand } from './ops/elementwise.js';
export { sum, mean, max, min, argmax, argmin, softmax, logSoftmax } from './ops/reduce.js';
export { reshape, transpose, slice, concat, gather, broadcastTo, cast } from './ops/layout.js';
export { matmul, linear } from './ops/matmul.js';
export type { Activation } from './ops/matmul.js';

export { backward, customGrad, detach } from './autograd/backward.js';
export type { BackwardOptions } from './autograd/backward.js';
export { noGrad, isGradEnabled } from './autograd/tape.js';
export { assign } from './ops/layout.js';

export { Module, Sequential, leafModules } from './nn/module.js';
export type { StateDict } from './nn/module.js';
export { Linear, ReLU, GELU, Tanh, Sigmoid, Flatten, Dropout, Embedding, Conv2d, MaxPool2d, AvgPool2d } from './nn/layers.js';
export { conv2d, maxPool2d, avgPool2d } from './ops/conv.js';
export type { Conv2dOptions, Pool2dOptions, Pair } from './ops/conv.js';
export type { InitOptions as LayerInitOptions } from './nn/layers.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm } from './nn/norm.js';
export { kaimingUniform, fanInUniform } from './nn/init.js';
export { crossEntropy, nllLoss, mseLoss, klDiv } from './nn/loss.js';
export type { Reduction } from './nn/loss.js';
export { Optimizer, SGD, Adam, AdamW } from './optim/optimizer.js';
export type { SGDOptions, AdamOptions } from './optim/optimizer.js';
export { LRScheduler, StepLR, CosineAnnealingLR, LinearWarmup, clipGradNorm, cosPi } from './optim/schedulers.js';

export { parseIdx, isGzip } from './data/idx.js';
export type { IdxArray, IdxData, IdxDType } from './data/idx.js';
export { gunzip } from './data/gunzip.js';
export { DataLoader } from './data/loader.js';
export type { Batch, DataLoaderOptions, Samples } from './data/loader.js';
export { parseSafetensors, serializeSafetensors, loadSafetensors, saveSafetensors, SAFE_DTYPES, MAX_HEADER_BYTES } from './io/safetensors.js';
export type { SafeDType, SafeDTypeTraits, SafetensorsEntry, SafetensorsEntryInput, SafetensorsFile, SafetensorsParseOptions, SafetensorsLoadOptions } from './io/safetensors.js';
export { f32ToF16Bits, f16BitsToF32, f32ToBf16Bits, bf16BitsToF32 } from './io/float16.js';

export { roundHalfEven, qparamsFromMinMax, dtypeRange, F32_EPS } from './quant/qparams.js';
export type { QDType, QParams, QParamsOptions } from './quant/qparams.js';
export { quantizeAffine, dequantizeAffine, minMaxAlong } from './quant/affine.js';
export type { AffineParams } from './quant/affine.js';
export { packInt4, unpackInt4, int4QParams, quantizeInt4, dequantizeInt4 } from './quant/int4.js';
export type { Int4Params } from './quant/int4.js';
export { f32ToE4M3, e4m3ToF32, f32ToE5M2, e5m2ToF32, encodeE4M3, decodeE4M3, encodeE5M2, decodeE5M2, E4M3_MAX, E5M2_MAX } from './quant/fp8.js';
export type { Fp8Options } from './quant/fp8.js';
export { FORMATS, ERROR_BUDGETS, packedBytes, encodedBytes } from './quant/formats.js';
export type { FormatName, FormatTraits, Encoded, ErrorBudget } from './quant/formats.js';
export { Observer } from './quant/observer-base.js';
export type { ObserverConfig, ObserverState } from './quant/observer-base.js';
export { MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver, MovingAveragePerChannelMinMaxObserver, observerFromState } from './quant/observers.js';
export { PercentileObserver, HistogramObserver } from './quant/hist-observers.js';
export type { PercentileConfig, HistogramConfig } from './quant/hist-observers.js';
export { Int8Linear, Int4Linear } from './quant/qlinear.js';
export { prepare, convert, PreparedModel } from './quant/ptq.js';
export type { PreparedUnit } from './quant/ptq.js';
export type { QuantizationConfig, LayerQuantConfig, WeightDType, QuantMode, ActivationObserver } from './quant/qconfig.js';
export { QuantizedModel } from './quant/qmodel.js';
export { saveQuantized, loadQuantized } from './quant/qio.js';
export { fakeQuantize, FakeQuantize, prepareQat, convertQat, QatModel } from './quant/qat.js';
export type { FakeQuantParams } from './quant/qat.js';
export { sensitivity, mixedPrecision } from './quant/sensitivity.js';
export type { HeldOut, LayerSensitivity, MixedPrecisionResult } from './quant/sensitivity.js';
export type { QuantizedWeights } from './quant/qlinear.js';
export { castFormat, castFormatToF32 } from './quant/cast.js';
export type { CastFormatName } from './quant/cast.js';
export { distillationLoss, softTargetLoss, hintLoss } from './distill/loss.js';
export type { DistillationOptions } from './distill/loss.js';
export { distill, forwardWithFeatures, teacherLogits } from './distill/distill.js';
export type { DistillOptions, DistillResult, FeatureHint } from './distill/distill.js';
export { EarlyExit, selfDistillationLoss } from './distill/self.js';

export { Pruner, maskKey } from './prune/pruner.js';
export type { Criterion, Amount, PruneOptions, SparsityStats, PrunerJSON } from './prune/pruner.js';
export { Mask } from './prune/mask.js';
export { countToPrune } from './prune/select.js';
export { removePrunedChannels } from './prune/remove.js';
export { polynomialSparsity, GradualPruning, iterativePruning } from './prune/schedule.js';
export type { PolynomialSchedule, GradualOptions, IterativeOptions } from './prune/schedule.js';
export { lotteryTicket, randomReinit } from './prune/lottery.js';
export type { LotteryOptions, LotteryContext, LotteryRound, LotteryTicket } from './prune/lottery.js';

export { svd } from './lowrank/svd.js';
export type { Svd, SvdOptions } from './lowrank/svd.js';
export { randomizedSvd } from './lowrank/rsvd.js';
export type { RandomizedSvdOptions } from './lowrank/rsvd.js';
export { lowRank, lowRankModel, chooseRank, rankForParams } from './lowrank/lowrank.js';
export type { RankChoice, LowRankOptions, LowRankModelOptions } from './lowrank/lowrank.js';
export { BsrMatrix, CsrMatrix, Nm24Matrix, PackedMatrix, toBsr, fromBsr, toCsr, fromCsr, toNm24, fromNm24 } from './sparse/csr.js';
export { SparseLinear, NmLinear, SparseInt8Linear, packedLinear, chooseSparseFormat, CSR_MAX_DENSITY, BSR_RULE } from './sparse/linear.js';
export type { SparseLinearFormat, SparseLinearOptions, SparseInt8Parts } from './sparse/linear.js';
export { SPARSE_FORMATS, indexBytesFor, blockStats } from './sparse/formats.js';
export type { SparseFormatName, SparseFormatTraits, CsrArrays, Nm24Arrays } from './sparse/formats.js';
export { saveSparse, loadSparse } from './sparse/io.js';
export type { SparseLayer } from './sparse/io.js';
export { SparseModel, sparsify, loadSparseModel } from './sparse/model.js';

export { signSte, binarizeWeight, binaryScale } from './binary/ste.js';
export type { BinaryScale } from './binary/ste.js';
export { BinaryLinear, clipLatentWeights, binarize } from './binary/layers.js';
export type { BinaryMode, BinaryLinearOptions, BinarizeOptions } from './binary/layers.js';
export { BinaryInferenceLinear, toInference } from './binary/inference.js';
export { saveBinary, loadBinary } from './binary/io.js';
export { BINARY_FORMATS, b1Bytes, b1Compact, b1Padded } from './binary/format.js';
export type { BinaryFormatTraits } from './binary/format.js';
