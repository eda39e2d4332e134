import fc from 'fast-check';

// Property tests are reproducible: one fixed seed unless FC_SEED asks for another.
// A failure prints its seed and counterexample; keep it as a named regression test.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261123), numRuns: 150 });
