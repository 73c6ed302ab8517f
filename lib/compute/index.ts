export * from './gpu-training-fleet';
export * from './instance-capacity';
export * from './sagemaker-training';
