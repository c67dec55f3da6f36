"""Contact flows in the emulator: the Flow-language interpreter (pure), the flow library and
plug-ins, and the engine that runs flows for the emulator's chats. The public names are in
``connect_participant_emulator.flows``."""
