// The ideas the Inside view teaches, each in a few plain sentences in the tutorial's terms. Every
// stage links to the ones it uses; the list under the view holds them all.
export type ConceptId =
  | 'moving-filter'
  | 'shared-weights'
  | 'feature-maps'
  | 'relu'
  | 'max-pooling'
  | 'stride'
  | 'padding'
  | 'flatten'
  | 'fully-connected'
  | 'softmax'
  | 'dropout';

export interface Concept {
  id: ConceptId;
  name: string;
  text: string;
}

export const CONCEPTS: readonly Concept[] = [
  {
    id: 'moving-filter',
    name: 'A filter that moves',
    text: 'A convolution filter is a small grid of weights (5×5 in the tutorial). It slides across the image; at each place it multiplies the pixels under it by its weights and adds them up with a bias: out = Σ w·in + b. Click a pixel of a convolution output to see that sum worked out.',
  },
  {
    id: 'shared-weights',
    name: 'Shared weights, sparse connections',
    text: 'The same filter weights are used at every place in the image, so a 5×5 filter has 25 weights per input channel whether the image is 28×28 or 1 000×1 000, and a pattern is found wherever it is. Each output pixel is connected only to the small patch under the filter, not to the whole image.',
  },
  {
    id: 'feature-maps',
    name: 'Feature maps and channels',
    text: 'Each filter makes one output image, a feature map, bright where its pattern is found. A layer with 32 filters outputs 32 maps: 32 channels. The next convolution’s filters are 3-D: they look at all the channels under them at once (5×5×32 weights each).',
  },
  {
    id: 'relu',
    name: 'ReLU',
    text: 'The rectified linear unit, max(0, x): negative sums become 0 and positive ones pass unchanged. Without some such bend, stacked layers would add up to one linear function, however many there were.',
  },
  {
    id: 'max-pooling',
    name: 'Max pooling',
    text: 'Pooling shrinks each feature map: the output keeps the largest value of each small window (2×2 in the tutorial), so a feature still counts if it moves by a pixel, and the next layer sees a wider part of the image for the same cost. Average pooling keeps the mean instead. Pooling has no weights.',
  },
  {
    id: 'stride',
    name: 'Stride',
    text: 'How far the window moves each step. Stride 1 visits every pixel; stride 2 every other one, which halves the height and the width.',
  },
  {
    id: 'padding',
    name: 'Padding',
    text: 'At the border a window hangs over the edge. SAME padding adds zeros around the input (for convolutions; pooling just ignores the missing cells) so the output is ceil(in / stride) wide. VALID uses only windows that fit: out = floor((in − k) / stride) + 1, a little smaller.',
  },
  {
    id: 'flatten',
    name: 'Flatten',
    text: 'The feature maps are laid out as one long list of numbers (7×7×64 = 3 136 in the tutorial), so that a fully connected layer can give every one of them its own weight. Nothing is computed; only the arrangement changes.',
  },
  {
    id: 'fully-connected',
    name: 'Fully connected (dense)',
    text: 'Every output unit is connected to every input: it multiplies each input by its own weight, adds them up with a bias, and usually applies ReLU. The tutorial’s 3 136 → 1 000 layer alone has over 3 million weights.',
  },
  {
    id: 'softmax',
    name: 'Softmax and cross-entropy',
    text: 'The last layer gives one score (logit) per class. Softmax turns them into probabilities: p_k = e^z_k / Σ_j e^z_j, all positive and adding up to 1, the biggest score getting the biggest share. Training lowers the cross-entropy, −log p of the true class: 0 when the network is sure and right, large when it is sure and wrong.',
  },
  {
    id: 'dropout',
    name: 'Dropout',
    text: 'While training, a random share of the values is set to 0 at each step (the rest scaled up to match), so the network cannot depend on any one unit. When predicting, nothing is dropped.',
  },
];

export const conceptName = (id: ConceptId): string => CONCEPTS.find((c) => c.id === id)!.name;
