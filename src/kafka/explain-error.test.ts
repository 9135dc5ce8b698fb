import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainKafkaError } from './explain-error.ts';

test('nested client errors are reduced to the broker messages inside them', () => {
  const protocol = Object.assign(new Error('Topic with this name already exists.'), {
    serverErrorMessage: "Topic 'x' already exists.",
  });
  const response = new AggregateError([protocol], 'Received response with error');
  const top = new AggregateError([response], 'Creating topics failed.');
  assert.equal(explainKafkaError(top), "Creating topics failed. Topic 'x' already exists.");
});

test('plain errors and non-errors keep their message', () => {
  assert.equal(explainKafkaError(new Error('connect ECONNREFUSED')), 'connect ECONNREFUSED');
  assert.equal(explainKafkaError('boom'), 'boom');
});
