// What the Lambdas hand each other and leave behind besides runs: the staged snapshot (snapshot -> audit)
// and failed-run records. Kept apart from store.ts so the snapshot function does not load the renderers.
export { putS3Object as putHandoffObject } from '../adapters/store/s3-object.js';
