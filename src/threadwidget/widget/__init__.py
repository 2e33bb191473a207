"""The notebook front door: :class:`~threadwidget.ThreadWidget` and the parts it is composed of."""
