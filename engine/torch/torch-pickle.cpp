// torch-pickle.cpp: reading files written by Python's torch.save
//
// SPDX-License-Identifier: MIT
//
// A state dict is pickled as: GLOBAL collections.OrderedDict, (memo put),
// EMPTY_TUPLE, REDUCE, (memo put), then its items (MARK ... SETITEMS
// batches, or one key, value, SETITEM), then an EMPTY_DICT state holding
// "_metadata" and BUILD. libtorch's unpickler turns every OrderedDict into
// None, so the items would go nowhere. We rewrite the top-level
// object into a plain dict and stop right after the items, dropping the
// version-metadata BUILD. The rest, tensors included, is libtorch's own
// unpickler.

#include "torch-pickle.h"

#include <caffe2/serialize/in_memory_adapter.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/unpickler.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace adis {

namespace {

// Pickle opcodes that a state dict uses (protocols 2 to 4)
enum : unsigned char {
  OP_MARK = '(', OP_STOP = '.', OP_POP = '0', OP_BINFLOAT = 'G', OP_BININT = 'J',
  OP_BININT1 = 'K', OP_BININT2 = 'M', OP_NONE = 'N', OP_BINPERSID = 'Q', OP_REDUCE = 'R',
  OP_BINUNICODE = 'X', OP_EMPTY_LIST = ']', OP_APPEND = 'a', OP_BUILD = 'b', OP_GLOBAL = 'c',
  OP_DICT = 'd', OP_APPENDS = 'e', OP_BINGET = 'h', OP_LONG_BINGET = 'j', OP_LIST = 'l',
  OP_BINPUT = 'q', OP_LONG_BINPUT = 'r', OP_SETITEM = 's', OP_TUPLE = 't', OP_SETITEMS = 'u',
  OP_EMPTY_DICT = '}', OP_EMPTY_TUPLE = ')', OP_PROTO = 0x80, OP_TUPLE1 = 0x85,
  OP_TUPLE2 = 0x86, OP_TUPLE3 = 0x87, OP_NEWTRUE = 0x88, OP_NEWFALSE = 0x89, OP_LONG1 = 0x8a,
  OP_SHORT_BINUNICODE = 0x8c, OP_BINUNICODE8 = 0x8d, OP_SHORT_BINBYTES = 'C',
  OP_BINBYTES = 'B', OP_FRAME = 0x95, OP_MEMOIZE = 0x94, OP_STACK_GLOBAL = 0x93,
};

uint64_t
read_le (const std::vector<char> &p, size_t at, size_t n)
{
  uint64_t v = 0;

  if (at + n > p.size ())
    throw std::runtime_error ("truncated pickle");
  for (size_t i = 0; i < n; i++)
    v |= (uint64_t) (unsigned char) p[at + i] << (8 * i);
  return v;
}

// The size of the opcode at `at`, its argument included
size_t
opcode_size (const std::vector<char> &p, size_t at)
{
  unsigned char op = (unsigned char) p.at (at);

  switch (op)
    {
    case OP_MARK: case OP_STOP: case OP_POP: case OP_NONE: case OP_BINPERSID:
    case OP_REDUCE: case OP_EMPTY_LIST: case OP_APPEND: case OP_BUILD: case OP_DICT:
    case OP_APPENDS: case OP_LIST: case OP_SETITEM: case OP_TUPLE: case OP_SETITEMS:
    case OP_EMPTY_DICT: case OP_EMPTY_TUPLE: case OP_TUPLE1: case OP_TUPLE2: case OP_TUPLE3:
    case OP_NEWTRUE: case OP_NEWFALSE: case OP_MEMOIZE: case OP_STACK_GLOBAL:
      return 1;
    case OP_PROTO: case OP_BININT1: case OP_BINGET: case OP_BINPUT:
      return 2;
    case OP_BININT2:
      return 3;
    case OP_BININT: case OP_LONG_BINGET: case OP_LONG_BINPUT:
      return 5;
    case OP_BINFLOAT: case OP_FRAME:
      return 9;
    case OP_LONG1:
    case OP_SHORT_BINUNICODE:
    case OP_SHORT_BINBYTES:
      return 2 + read_le (p, at + 1, 1);
    case OP_BINUNICODE:
    case OP_BINBYTES:
      return 5 + read_le (p, at + 1, 4);
    case OP_BINUNICODE8:
      return 9 + read_le (p, at + 1, 8);
    case OP_GLOBAL:
      {
        // two newline-terminated lines
        size_t end = at + 1;
        for (int lines = 0; lines < 2; end++)
          {
            if (end >= p.size ())
              throw std::runtime_error ("truncated pickle");
            if (p[end] == '\n')
              lines++;
          }
        return end - at;
      }
    default:
      throw std::runtime_error ("unsupported pickle opcode " + std::to_string (op));
    }
}

bool
is_memo_put (unsigned char op)
{
  return op == OP_BINPUT || op == OP_LONG_BINPUT || op == OP_MEMOIZE;
}

const char kDiscardKey[] = "__soundstyle_ordered_dict_class__";

// Rewrites a top-level OrderedDict into a plain dict as described above;
// leaves any other pickle untouched
void
rewrite_ordered_dict (std::vector<char> &p)
{
  static const char ordered_dict[] = "ccollections\nOrderedDict\n";
  size_t at = 0;
  size_t global_at;
  size_t memo_size = 0;
  int depth = 0;

  while (at < p.size () && ((unsigned char) p[at] == OP_PROTO || (unsigned char) p[at] == OP_FRAME))
    at += opcode_size (p, at);
  if (p.size () < at + sizeof ordered_dict - 1 ||
      std::memcmp (p.data () + at, ordered_dict, sizeof ordered_dict - 1) != 0)
    return;
  global_at = at;
  at += sizeof ordered_dict - 1;
  if (at < p.size () && is_memo_put ((unsigned char) p[at]))
    memo_size = opcode_size (p, at);
  at += memo_size;
  if (at + 2 > p.size () || (unsigned char) p[at] != OP_EMPTY_TUPLE ||
      (unsigned char) p[at + 1] != OP_REDUCE)
    return;

  // "GLOBAL, memo, EMPTY_TUPLE, REDUCE" becomes "EMPTY_DICT, MARK, key,
  // GLOBAL, memo, SETITEMS": the class lands in an entry removed after
  // unpickling (libtorch's unpickler knows neither POP nor SETITEM), and
  // stays memoised for the tensors' hook tables.
  std::vector<char> head;
  uint32_t key_length = sizeof kDiscardKey - 1;

  head.push_back ((char) OP_EMPTY_DICT);
  head.push_back ((char) OP_MARK);
  head.push_back ((char) OP_BINUNICODE);
  for (int i = 0; i < 4; i++)
    head.push_back ((char) ((key_length >> (8 * i)) & 0xff));
  head.insert (head.end (), kDiscardKey, kDiscardKey + key_length);
  head.insert (head.end (), p.begin () + global_at, p.begin () + at);
  head.push_back ((char) OP_SETITEMS);
  p.erase (p.begin () + global_at, p.begin () + at + 2);
  p.insert (p.begin () + global_at, head.begin (), head.end ());
  at = global_at + head.size ();

  // The items end where the top level next meets its state, BUILD or STOP
  while (at < p.size ())
    {
      unsigned char op = (unsigned char) p[at];

      if (depth == 0 && (op == OP_EMPTY_DICT || op == OP_BUILD || op == OP_STOP))
        {
          p.resize (at);
          p.push_back ((char) OP_STOP);
          return;
        }
      if (op == OP_MARK)
        depth++;
      else if (op == OP_TUPLE || op == OP_SETITEMS || op == OP_APPENDS ||
               op == OP_LIST || op == OP_DICT)
        depth--;
      at += opcode_size (p, at);
    }
  throw std::runtime_error ("truncated pickle");
}

}  // namespace

c10::IValue
load_torch_save (const char *data, size_t length)
{
  auto adapter = std::make_shared<caffe2::serialize::MemoryReadAdapter> (data, (off_t) length);
  caffe2::serialize::PyTorchStreamReader reader (adapter);
  auto record = reader.getRecord ("data.pkl");
  const char *pickle_data = static_cast<const char *> (std::get<0> (record).get ());
  std::vector<char> pickle (pickle_data, pickle_data + std::get<1> (record));
  size_t position = 0;

  rewrite_ordered_dict (pickle);

  auto read = [&] (char *buffer, size_t n) -> size_t {
    size_t available = std::min (n, pickle.size () - position);
    std::memcpy (buffer, pickle.data () + position, available);
    position += available;
    return available;
  };
  auto read_record = [&] (const std::string &name) {
    return std::get<0> (reader.getRecord ("data/" + name));
  };
  torch::jit::Unpickler unpickler (read, nullptr, nullptr, read_record, c10::Device (c10::kCPU));

  c10::IValue value = unpickler.parse_ivalue ();

  if (value.isGenericDict ())
    value.toGenericDict ().erase (c10::IValue (std::string (kDiscardKey)));
  return value;
}

}  // namespace adis
