// modelc: converts trained models into .mote files and inspects them
// (command_line.h: the commands and options).
#include "command_line.h"

int main(int argc, char** argv) { return mote::modelc::RunModelc(argc, argv); }
