import { packageBuild } from '../../tools/tsup-preset';

// __filename in the ESM build too: the wasm loaders resolve tfjs-backend-wasm's files relative to it.
export default packageBuild({ shims: true });
