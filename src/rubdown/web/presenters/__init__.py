"""Page views for ``rubdown serve``: each turns what the services answer into the dict one
template or page script shows. Nothing here is shared with the command line."""
