import { median } from '../../bench/gate-bench';

test('the bench takes true medians: the middle value, or the mean of the two middle values', () => {
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([10, 20])).toBe(15);
  expect(median([7])).toBe(7);
  expect(median([])).toBeNaN();
});
