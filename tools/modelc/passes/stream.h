// Streaming (modelc convert --stream): a model fed one hop of its time axis
// per invoke, keeping state between invokes in persistent tensors
// (Tensor::persistent, planned in the arena's state region).
//
// Two ways to stream an input:
//  - a FIFO: the input shrinks to `hop` along `axis`, and a Fifo op keeps the
//    last L rows as the persistent window the model reads as before. After
//    L / hop invokes the outputs equal the full model's on the same window.
//  - stateful stepping: when the input's time axis reaches a forward Rnn's
//    step axis through Transposes only, the Rnn runs `hop` steps per invoke
//    from the hidden state the previous invoke left (its persistent work
//    tensor). After T / hop invokes its final state, and so every output
//    computed from it, equals the full sequence's.
// State is zero after Interpreter::Create and ResetState(); never reset by
// Invoke.
#ifndef MOTE_TOOLS_MODELC_PASSES_STREAM_H_
#define MOTE_TOOLS_MODELC_PASSES_STREAM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

enum class StreamMode { kAuto, kFifo, kState, kFrontend };

struct StreamSpec {
  std::string input;                    // graph input name (empty: the only input)
  int64_t axis = 1;                     // the time axis of that input (negative: from the end)
  int64_t hop = 1;                      // rows fed per invoke; must divide the axis' length
  StreamMode mode = StreamMode::kAuto;  // auto: stateful stepping if possible, else a FIFO
};

// Parses 'input=NAME,axis=A,hop=H[,mode=auto|fifo|state]'; throws ConvertError.
StreamSpec ParseStreamSpec(const std::string& text);

// What one streamed input became.
struct StreamedInput {
  int tensor = -1;   // the new graph input ([..., hop, ...])
  int64_t axis = 0;  // non-negative
  int64_t hop = 1;
  int64_t length = 1;                   // L: the full model's length along axis
  StreamMode mode = StreamMode::kFifo;  // kFifo, kState or kFrontend
  // kFrontend: zero rows fed before the L rows of a clip so that lead + L
  // divides by hop (the clip's first n_fft - hop samples prime the window).
  int64_t lead = 0;
  int64_t invokes() const { return (lead + length) / hop; }  // to fill one window / sequence
};

// The reusable step: a Fifo op writing `window` (which must have no
// producer and not be a graph input) from `source` ([..., hop, ...] along
// `axis`, equal to window's shape elsewhere, same type and quantization).
// `window` becomes persistent; the node goes right before window's first
// consumer. Returns the node's index.
int ConnectFifo(Graph& g, int source, int window, int64_t axis, const std::string& name);

// A FIFO in front of graph input `input`: a new graph input of `hop` rows
// along `axis` takes its place, and `input` becomes the persistent window.
StreamedInput StreamThroughFifo(Graph& g, int input, int64_t axis, int64_t hop);

// Stateful stepping of the Rnn reached from `input` (see above); throws
// Unsupported naming the reason if the graph does not allow it.
StreamedInput StreamThroughState(Graph& g, int input, int64_t axis, int64_t hop);

// Raw audio `input` read by the front-end's Spectrogram (--frontend with
// center=false and no top_db), streamed `hop` samples per invoke, hop a
// multiple m of hop_length: audio hop -> Fifo of n_fft + (m - 1) * hop_length
// samples -> the front-end for m frames -> Fifo of the classifier's T frames
// -> classifier. Per hop: m frames of front-end plus the classifier. After a
// clip is fed (lead zeros first), the outputs equal the whole-clip model's
// byte for byte. Throws Unsupported naming the reason otherwise.
StreamedInput StreamThroughFrontend(Graph& g, int input, int64_t axis, int64_t hop);

// Applies `spec` to a lowered (and quantized, or float32) graph.
StreamedInput StreamInput(Graph& g, const StreamSpec& spec);

// Persistent tensors of the graph and their bytes in total.
int64_t StateBytes(const Graph& g);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_PASSES_STREAM_H_
