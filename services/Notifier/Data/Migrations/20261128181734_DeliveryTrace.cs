using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesMind.Notifier.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeliveryTrace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "deliveries",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "deliveries");
        }
    }
}
