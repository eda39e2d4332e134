/** The public API of the simulation kernel. Labs and the worker import from here. */

export * from './assert';
export * from './distributions';
export * from './event-queue';
export * from './limits';
export * from './network';
export * from './prng';
export * from './sim';
