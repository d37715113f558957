from django.contrib import admin

from .models import Invoice, InvoiceLine


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    raw_id_fields = ["line", "cost_centre"]
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "company", "kind", "issued_on", "total_amount", "status"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["number", "company__name", "company__vat_number"]
    raw_id_fields = ["company"]
    inlines = [InvoiceLineInline]
