from django.db import models


class Row(models.Model):
    value = models.CharField(max_length=100)
