#include <stdint.h>

#include "mote/model.h"

namespace mote {

// Half-byte table: 64 bytes of flash instead of 1 KiB, fast enough for a
// check that runs once per model load.
uint32_t Crc32(std::span<const uint8_t> bytes, uint32_t crc_so_far) {
  static constexpr uint32_t kTable[16] = {
      0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
      0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
      0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C};
  uint32_t crc = ~crc_so_far;
  for (uint8_t b : bytes) {
    crc ^= b;
    crc = (crc >> 4) ^ kTable[crc & 0xF];
    crc = (crc >> 4) ^ kTable[crc & 0xF];
  }
  return ~crc;
}

uint32_t FileCrc32(std::span<const uint8_t> file, size_t crc_offset) {
  const uint32_t head = Crc32(file.first(crc_offset));
  return Crc32(file.subspan(crc_offset + sizeof(uint32_t)), head);
}

}  // namespace mote
