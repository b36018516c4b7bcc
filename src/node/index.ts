// slimtensor/node: Node-only helpers (file system, network, node:zlib). The universal entry is 'slimtensor'.
export { fashionMnist, readIdxFile, FASHION_MNIST_URL, FASHION_MNIST_SYSTEM_DIR } from './fashion-mnist.js';
export type { FashionMnist, FashionMnistOptions, FashionMnistSplit } from './fashion-mnist.js';
