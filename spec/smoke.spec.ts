import { Linear, Tensor, gradcheck } from '../lib';

test('a Linear layer passes gradcheck', () => {
  const report = gradcheck(new Linear(3, 4), Tensor.from([[1, 2, 3], [4, 5, 6]]));
  expect(report.ok).toBe(true);
});
