import { describe, expect, it } from 'vitest';
import { checkForm, splitPlatforms } from '../../stores/results-store';
import { decodeResultsParam, resultsParam } from './results-param';

describe('results page parameter', () => {
  it('accepts a plain reference or the JSON form with requested platforms', () => {
    expect(decodeResultsParam('127.0.0.1:5000/app:1')).toEqual({ reference: '127.0.0.1:5000/app:1', platforms: [] });
    const param = resultsParam('127.0.0.1:5000/app:1', ['linux/amd64', 'linux/arm64']);
    expect(decodeResultsParam(param)).toEqual({ reference: '127.0.0.1:5000/app:1', platforms: ['linux/amd64', 'linux/arm64'] });
    expect(resultsParam('alpine:3.20')).toBe('alpine:3.20');
  });

  it('ignores what it cannot read', () => {
    expect(decodeResultsParam(undefined)).toBeUndefined();
    expect(decodeResultsParam('  ')).toBeUndefined();
    expect(decodeResultsParam('{not json')).toBeUndefined();
    expect(decodeResultsParam('{"platforms":[]}')).toBeUndefined();
    expect(decodeResultsParam('{"reference":"a","platforms":["linux/amd64",3]}')).toEqual({ reference: 'a', platforms: ['linux/amd64'] });
  });

  it('splits a typed platform list on commas and spaces', () => {
    expect(splitPlatforms(' linux/amd64, linux/arm64  linux/arm/v7,')).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    expect(splitPlatforms('')).toEqual([]);
  });

  it('refuses a malformed reference or platform in the form, saying why', () => {
    expect(checkForm('127.0.0.1:5000/app:1', 'linux/amd64, arm64')).toEqual({});
    expect(checkForm('127.0.0.1:5000/App:1', '').reference).toMatch(/lower-case/);
    expect(checkForm('', '').reference).toMatch(/Enter an image reference/);
    expect(checkForm('alpine', 'linux/amd64 linux//x').platforms).toMatch(/Not a platform: linux\/\/x/);
  });
});
