import type { Schema } from 'mongoose';

/**
 * Counts the writes made through this process's models, by model name (bumped after each
 * one): the per-process record caches (src/services/record-cache.ts) drop what they read
 * before a local write. Writes that bypass the models (a collection's own methods, as
 * undoLast's) call bumpWrites themselves.
 */
const generations = new Map<string, number>();

/** How many writes to `modelName` this process has counted so far. */
export function writeGeneration(modelName: string): number {
  return generations.get(modelName) ?? 0;
}

/** Counts one write to `modelName`. */
export function bumpWrites(modelName: string): void {
  generations.set(modelName, writeGeneration(modelName) + 1);
}

/** Counts every write through a model of `schema` (after it lands) as a write to `modelName`. */
export function countWrites(schema: Schema, modelName: string): void {
  const bump = () => bumpWrites(modelName);
  schema.post(['save', 'updateOne', 'updateMany', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'deleteOne', 'deleteMany', 'replaceOne'], bump);
  schema.post('insertMany', bump);
  schema.post('bulkWrite', bump);
}
