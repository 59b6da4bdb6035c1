"""What an import keeps besides the database rows: the original files, byte for byte
(``raw``), and the codec of the sample streams stored with each activity (``streams``)."""
