"""The conference and its call for papers: public pages, speaker links, review, programme."""
